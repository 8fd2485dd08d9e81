"""The staff side, below the web: passwords, sign-in and sessions, accounts, canned replies.

Application level: it uses the core's ports and never imports a web or database library.
"""
