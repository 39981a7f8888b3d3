"""pyzap's quick-start example.

markupsafe ships a C extension (markupsafe._speedups): the launcher unpacks it
into the cache once; this module and markupsafe's Python code are imported
straight from the bundle.
"""
import sys

import markupsafe


def main():
    who = " ".join(sys.argv[1:]) or "world"
    print(markupsafe.escape("<b>hello, %s</b>" % who))
    print("app code:  %s" % __file__)
    try:
        from markupsafe import _speedups
        print("native:    %s" % _speedups.__file__)
    except ImportError:
        print("native:    markupsafe has no C speedups on this platform")
    return 0
