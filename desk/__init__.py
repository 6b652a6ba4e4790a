"""The desk: a web page for the whistleblower function's case handlers and for HR, at /desk.

Served by `conductbot serve` when `desk:` is configured (desk/server.py); users are made with
`conductbot desk add-user` (desk/cli.py). Plain HTML forms rendered on the server, SVG charts, no
JavaScript and nothing fetched from elsewhere.
"""
