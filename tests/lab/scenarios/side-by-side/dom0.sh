. /lab/lab-lib.sh
. /lab/dom0-pair.sh
pair_scenario
