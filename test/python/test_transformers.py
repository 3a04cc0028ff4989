"""Hugging Face transformers models (small random-init configs, nothing downloaded) through
ember.compile and through torch.compile(backend="ember"), against eager: every result leaf,
KV caches included."""

import pytest
import torch
import torch._dynamo
import torch.utils._pytree as pytree

import ember
from ember.frontend.library_pytrees import register_result_types

T = pytest.importorskip("transformers")

TOKENS = torch.randint(0, 100, (1, 8), generator=torch.Generator().manual_seed(0))


def bert():
    config = T.BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                          intermediate_size=64, max_position_embeddings=64)
    return T.BertModel(config), (TOKENS,)


def gpt2(use_cache):
    config = T.GPT2Config(vocab_size=100, n_embd=32, n_layer=1, n_head=2, n_positions=64, use_cache=use_cache,
                          bos_token_id=0, eos_token_id=0)
    return T.GPT2LMHeadModel(config), (TOKENS,)


def llama():
    config = T.LlamaConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                           num_key_value_heads=1, intermediate_size=64, max_position_embeddings=64,
                           bos_token_id=0, eos_token_id=0)
    return T.LlamaForCausalLM(config), (TOKENS,)


def t5_encoder():
    config = T.T5Config(vocab_size=100, d_model=32, d_kv=16, d_ff=64, num_layers=1, num_heads=2)
    return T.T5EncoderModel(config), (TOKENS,)


def vit():
    config = T.ViTConfig(image_size=16, patch_size=4, num_channels=3, hidden_size=32, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=64)
    return T.ViTModel(config), (torch.randn(1, 3, 16, 16, generator=torch.Generator().manual_seed(0)),)


MODELS = {"bert": bert, "gpt2-cache": lambda: gpt2(True), "gpt2-no-cache": lambda: gpt2(False), "llama": llama,
          "t5-encoder": t5_encoder, "vit": vit}


def assert_same_results(got, expected):
    got_leaves, got_spec = pytree.tree_flatten(got)
    expected_leaves, expected_spec = pytree.tree_flatten(expected)
    assert type(got) is type(expected) and got_spec == expected_spec
    for g, e in zip(got_leaves, expected_leaves):
        torch.testing.assert_close(g, e)


@pytest.mark.filterwarnings("error::ember.errors.FallbackWarning")
@pytest.mark.parametrize("name", MODELS)
def test_ember_compile_matches_eager(name):
    model, inputs = MODELS[name]()
    model.eval()
    with torch.no_grad():
        expected = model(*inputs)
        compiled = ember.compile(model, inputs)
        assert_same_results(compiled(*inputs), expected)
    if name == "gpt2-cache":
        assert type(expected.past_key_values).__name__ == "DynamicCache"


@pytest.mark.filterwarnings("error:.*runs eagerly")
@pytest.mark.parametrize("name", ["bert", "gpt2-cache", "llama", "t5-encoder", "vit"])
def test_torch_compile_backend_matches_eager(name):
    torch._dynamo.reset()
    model, inputs = MODELS[name]()
    model.eval()
    # Results that hold a cache compare leaf by leaf once the cache types are pytrees, as
    # ember.compile makes them; Dynamo rebuilds the cache itself and never asks ember to.
    register_result_types(model)
    with torch.no_grad():
        expected = model(*inputs)
        assert_same_results(torch.compile(model, backend="ember")(*inputs), expected)
