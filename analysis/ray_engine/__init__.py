"""The Ray engine (``--engine ray``): the analysis on Ray Data, on one machine or a cluster.

:mod:`.batches` holds the functions the workers run (plain polars around the local
stages); :mod:`.run` is the driver (:func:`.run.analyze_ray`). Ray is an optional extra
(``pip install 'readerscope[ray]'``) and is imported only when a run starts, never by
importing this package.
"""
