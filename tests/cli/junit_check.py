#!/usr/bin/env python3
"""Parses a JUnit XML file strictly (xml.etree) and prints its structure:
one line per testsuite "NAME tests=T failures=F errors=E", then per testcase
"  CLASSNAME | NAME | ok|failure|error | MESSAGE". Checks that the counts in
the attributes agree with the testcases; exit 1 (with the reason) when not."""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
if root.tag != "testsuites":
    sys.exit("root is <%s>, not <testsuites>" % root.tag)
totals = [0, 0, 0]
for suite in root.findall("testsuite"):
    cases = suite.findall("testcase")
    fails = sum(1 for c in cases if c.find("failure") is not None)
    errs = sum(1 for c in cases if c.find("error") is not None)
    got = (int(suite.get("tests")), int(suite.get("failures")), int(suite.get("errors")))
    if got != (len(cases), fails, errs):
        sys.exit("suite %s says %s, has %s" % (suite.get("name"), got, (len(cases), fails, errs)))
    float(suite.get("time"))
    totals = [totals[0] + len(cases), totals[1] + fails, totals[2] + errs]
    print("%s tests=%d failures=%d errors=%d" % (suite.get("name"), len(cases), fails, errs))
    for c in cases:
        float(c.get("time"))
        f, e = c.find("failure"), c.find("error")
        state, msg = ("failure", f.get("message")) if f is not None else \
                     ("error", e.get("message")) if e is not None else ("ok", "")
        text = (f if f is not None else e).text if state != "ok" else ""
        print("  %s | %s | %s | %s" % (c.get("classname"), c.get("name"), state, msg))
        for line in (text or "").splitlines():
            print("    " + line)
if [int(root.get(k)) for k in ("tests", "failures", "errors")] != totals:
    sys.exit("testsuites totals disagree with the suites")
