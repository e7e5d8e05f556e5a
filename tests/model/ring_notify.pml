/*
 * Notify/suppress protocol of the tsmc ring (xen-guest-mod/include/
 * tsmc_xen/ring.h), one producer and one consumer, every interleaving.
 *
 * Each assignment is one step, as in the C code where every shared word
 * is read or written exactly once; the full barriers (tsmc_mb) at the
 * arm / notify points are what make the sequentially consistent steps
 * here a faithful abstraction.
 *
 * Event channels are pending bits: notify sets, a sleeper blocks until
 * set and clears it (Xen evtchn / eventfd semantics).
 *
 * No lost wakeup and no deadlock: both sides must reach their end with
 * every byte moved and EOF seen; a side asleep forever is an invalid end
 * state that spin reports. Build with -DRECHECK_CONS -DRECHECK_PROD for
 * the real protocol; leaving one out models the bug of sleeping without
 * looking again after arming, and spin must find the lost wakeup.
 */
#define N	2		/* ring size */
#define M	8		/* index modulus: free-running indexes wrap */
#define START	6		/* start near the wrap */
#define TOTAL	5		/* bytes to move */
#define SUB(a, b)	(((a) + M - (b)) % M)

byte prod = START;		/* producer line */
byte space_event = START;
bit eof = 0;
byte cons = START;		/* consumer line */
byte data_event = (START + 1) % M;	/* consumer starts armed */

bit evt_data = 0;		/* event channel producer -> consumer */
bit evt_space = 0;		/* event channel consumer -> producer */

byte sent = 0, got = 0;

active proctype producer()
{
	byte lprod = START, c, ev, old, k, want;

	do
	:: sent == TOTAL -> break
	:: else ->
		c = cons;			/* reserve: cons read once */
		assert(SUB(lprod, c) <= N);
		if
		:: SUB(lprod, c) < N ->		/* room: write 1..free bytes */
			if
			:: k = 1
			:: N - SUB(lprod, c) >= 2 && TOTAL - sent >= 2 -> k = 2
			fi;
			old = lprod;
			lprod = (lprod + k) % M;
			prod = lprod;		/* commit */
			sent = sent + k;
			ev = data_event;	/* after the mb */
			if
			:: SUB(lprod, ev) < SUB(lprod, old) -> evt_data = 1
			:: else -> skip
			fi
		:: else ->			/* full: arm for want bytes */
			if
			:: want = 1
			:: want = N
			fi;
			space_event = (lprod + M - N + want) % M;
#ifdef RECHECK_PROD
			c = cons;		/* look again after arming */
			if
			:: N - SUB(lprod, c) >= want -> skip
			:: else -> atomic { evt_space == 1 -> evt_space = 0 }
			fi
#else
			atomic { evt_space == 1 -> evt_space = 0 }
#endif
		fi
	od;
	eof = 1;				/* set EOF, always notify */
	evt_data = 1
}

active proctype consumer()
{
	byte lcons = START, p, ev, old, k;
	bit e;

	do
	:: e = eof;				/* pflags, then prod */
		p = prod;
		assert(SUB(p, lcons) <= N);
		if
		:: SUB(p, lcons) > 0 ->		/* data: consume 1..avail */
			if
			:: k = 1
			:: SUB(p, lcons) >= 2 -> k = 2
			fi;
			old = lcons;
			lcons = (lcons + k) % M;
			cons = lcons;		/* consume */
			got = got + k;
			ev = space_event;	/* after the mb */
			if
			:: SUB(lcons, ev) < SUB(lcons, old) -> evt_space = 1
			:: else -> skip
			fi
		:: else ->
			if
			:: e -> break		/* empty and EOF: done */
			:: else ->
				data_event = (lcons + 1) % M;
#ifdef RECHECK_CONS
				e = eof;	/* look again after arming */
				p = prod;
				if
				:: SUB(p, lcons) > 0 || e -> skip
				:: else -> atomic { evt_data == 1 -> evt_data = 0 }
				fi
#else
				atomic { evt_data == 1 -> evt_data = 0 }
#endif
			fi
		fi
	od;
	assert(got == TOTAL && sent == TOTAL)
}
