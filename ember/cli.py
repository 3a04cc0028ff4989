"""The `ember` command: `ember demo` (the same as `python -m ember`)."""

import argparse


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="ember", description="ember: an MLIR-backed compiler for PyTorch")
    parser.add_argument("command", nargs="?", default="demo", choices=["demo"], help="what to run (default: demo)")
    parser.parse_args(argv)
    from ember.demo import main as demo

    demo()


if __name__ == "__main__":
    main()
