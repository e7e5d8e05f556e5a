. /lab/lab-lib.sh
# Hangs past the time limit: the agent must kill it and the run must fail.
sleep 100000
lab_verdict pass
