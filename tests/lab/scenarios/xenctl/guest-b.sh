. /lab/scenarios/xenctl/guest-pair.sh
