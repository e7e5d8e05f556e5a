. /lab/lab-lib.sh
lab_metric selftest_value 1
lab_verdict fail "deliberate failure (self-test)"
