"""What HQ's two web faces (the console, hq_server.console; the members' mall, hq_server.mall) share:
templates and their languages, sessions' cookies, CSRF, flash messages, lists (paging, sorting,
filters, CSV), vendored assets under /static and error pages (DESIGN.md section 12).

Nothing here runs SQL or knows a business rule: pages call hq_server.programme's use cases.
"""
