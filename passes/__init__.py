"""ember's passes, their registry and the pipelines that run them."""
