"""Result types of well-known model libraries, registered as pytrees before an export.

torch.export flattens a model's results through torch's pytree registry; a type that is not
in it fails the export ("Found <class 'transformers.cache_utils.DynamicCache'> in output, which
is not a known type"): decoder models of Hugging Face `transformers` return their KV cache by
default (`use_cache=True`). transformers registers its own cache classes when asked (its
exporter's `register_cache_pytrees_for_model`: every Cache subclass and the model's own
`*Cache` classes); ember asks it, so that the cache comes back as the object eager returns,
rebuilt from the compiled code's tensors.
"""

import torch


def register_result_types(model) -> None:
    """Registers the pytree types that `model`'s library defines for its results."""
    if not isinstance(model, torch.nn.Module) or not type(model).__module__.startswith("transformers."):
        return
    try:
        from transformers.exporters.exporter_dynamo import register_cache_pytrees_for_model
    except ImportError:  # older transformers: DynamicCache only
        try:
            from transformers.integrations.executorch import register_dynamic_cache_export_support
        except ImportError:
            return
        register_dynamic_cache_export_support()
        return
    register_cache_pytrees_for_model(model)
