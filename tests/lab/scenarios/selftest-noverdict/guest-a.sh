. /lab/lab-lib.sh
# Exits 0 without ever giving a verdict: must count as a failure.
lab_metric selftest_value 1
exit 0
