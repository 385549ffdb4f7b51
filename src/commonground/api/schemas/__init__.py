"""Request and response shapes of the HTTP contract (API.md), one module per resource.

Types are checked here; the domain then checks meaning (ranges, geometry, rules) and
names any refused field the same way. Responses are built from the domain's views
(``domain.views``) by validating their wire form, so the API and the live stream agree.
"""
