"""E-mail alerts: follow what a page's feed follows, by e-mail, with double opt-in.

Public to other features: the follow box, an include (templates/alerts/_follow.html) that a
page with a feed shows with its topic. The subscriptions themselves are kept by
application.subscriptions; the alerts are composed here from the public log.
"""
