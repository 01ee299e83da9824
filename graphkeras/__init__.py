"""graphkeras: the Keras 2 API on a graph compiler."""
