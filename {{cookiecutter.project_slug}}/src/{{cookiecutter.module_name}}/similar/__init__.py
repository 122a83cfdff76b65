"""`POST /similar`: the training records nearest to a record, in the model's embedding.

The export stage indexes training rows (`index`); the server searches them (`neighbours`).
Delete this package, `serving/similar_route.py` and the `similar` section to go without.
"""
