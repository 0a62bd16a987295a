"""The BigCommerce API resources the client offers, one module per resource.

Each module holds a mixin of ``BigCommerceClient`` (``client.py``, the transport): the
methods only build paths, parameters and bodies and read the answers.
"""
