"""waystation: the service platform of a city trade-union federation for platform workers."""
