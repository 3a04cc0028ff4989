"""ember's command-line tools: `ember-opt` and `ember-import`."""
