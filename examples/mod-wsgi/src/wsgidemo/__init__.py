"""wsgi-demo: Apache httpd + mod_wsgi serving a WSGI app that lives inside a pyzap bundle."""
