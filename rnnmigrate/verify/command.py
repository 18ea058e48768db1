"""The typer command. Parses options, runs the pipeline, prints, and sets the exit code.

Exit 0: every output agrees. Exit 1: a mismatch. Exit 2: an error, as one line on
stderr naming the file and the problem. Nothing here imports TensorFlow or numpy
at module import, so ``rnnmigrate --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from rnnmigrate.verify.errors import VerifyError

if TYPE_CHECKING:
    from rich.console import Console

    from rnnmigrate.verify.pipeline import VerifyRequest

EXIT_PASS, EXIT_MISMATCH, EXIT_ERROR = 0, 1, 2

_SIDES = "Model sides (--old-* for OLD, --new-* for NEW)"
_DATA = "Generated samples"
_COMPARE = "Comparison and report"


def verify_command(
    old: Annotated[
        str,
        typer.Argument(
            help="The TF1 model: a SavedModel directory, or a checkpoint prefix with its .meta graph "
            "(then --old-inputs/--old-outputs unless the .meta holds a signature).",
            metavar="OLD",
            show_default=False,
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            help="The migrated model: a .keras file, a SavedModel directory, or a checkpoint prefix with "
            "its .meta graph (a migrated program still in graph mode; then --new-inputs/--new-outputs).",
            metavar="NEW",
            show_default=False,
        ),
    ],
    old_tag_set: Annotated[
        Optional[str],
        typer.Option(help="Tag set of OLD's MetaGraph, comma separated (default: the only one, else serve).", rich_help_panel=_SIDES),
    ] = None,
    new_tag_set: Annotated[
        Optional[str], typer.Option(help="Tag set of NEW's MetaGraph (SavedModel only).", rich_help_panel=_SIDES)
    ] = None,
    old_signature_def: Annotated[
        Optional[str],
        typer.Option(help="Signature of OLD to run (default: serving_default, or the only one).", rich_help_panel=_SIDES),
    ] = None,
    new_signature_def: Annotated[
        Optional[str], typer.Option(help="Signature of NEW to run (SavedModel only).", rich_help_panel=_SIDES)
    ] = None,
    old_inputs: Annotated[
        Optional[str],
        typer.Option(help="OLD as a checkpoint prefix: its inputs as name=tensor:0,...", rich_help_panel=_SIDES),
    ] = None,
    old_outputs: Annotated[
        Optional[str],
        typer.Option(help="OLD as a checkpoint prefix: its outputs as name=tensor:0,...", rich_help_panel=_SIDES),
    ] = None,
    new_inputs: Annotated[
        Optional[str],
        typer.Option(help="NEW as a checkpoint prefix: its inputs as name=tensor:0,...", rich_help_panel=_SIDES),
    ] = None,
    new_outputs: Annotated[
        Optional[str],
        typer.Option(help="NEW as a checkpoint prefix: its outputs as name=tensor:0,...", rich_help_panel=_SIDES),
    ] = None,
    name_map: Annotated[
        Optional[list[str]],
        typer.Option(
            "--map",
            help="Pair an OLD input or output with a NEW one whose name differs: old=new (repeatable).",
            show_default=False,
        ),
    ] = None,
    skip: Annotated[
        Optional[list[str]],
        typer.Option(
            "--skip",
            help="Leave out an output that only one side has (e.g. a state the migration does not export).",
            show_default=False,
        ),
    ] = None,
    constants: Annotated[
        Optional[list[str]],
        typer.Option(
            "--set",
            help="Feed an input a fixed value instead of samples, e.g. keep_prob=1.0 (repeatable).",
            show_default=False,
        ),
    ] = None,
    inputs: Annotated[
        Optional[list[str]],
        typer.Option(
            help="Real data instead of generated samples: key=file.npy or key=file.npz\\[var], "
            "for every input (repeatable, or ';'-separated).",
            show_default=False,
        ),
    ] = None,
    samples: Annotated[int, typer.Option(help="Number of generated batches.", rich_help_panel=_DATA)] = 4,
    batch_size: Annotated[int, typer.Option(help="Rows per batch.", rich_help_panel=_DATA)] = 16,
    max_len: Annotated[int, typer.Option(help="Time axis of generated sequences.", rich_help_panel=_DATA)] = 20,
    min_len: Annotated[
        int, typer.Option(help="Shortest generated length (0 tests empty rows).", rich_help_panel=_DATA)
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed of the generated samples.", rich_help_panel=_DATA)] = 0,
    lengths: Annotated[
        Optional[str],
        typer.Option(
            help="The input holding each row's length (default: the integer vector input named *len*).",
            rich_help_panel=_DATA,
        ),
    ] = None,
    vocab_size: Annotated[
        Optional[int],
        typer.Option(
            help="Token ids are drawn from [0, N) (default: rows of the smallest embedding table).",
            rich_help_panel=_DATA,
        ),
    ] = None,
    time_major: Annotated[
        Optional[list[str]],
        typer.Option(
            "--time-major",
            help="An output laid out [time, batch, ...] (TF1 time_major=True); detected when the shapes tell (repeatable).",
            rich_help_panel=_COMPARE,
            show_default=False,
        ),
    ] = None,
    layer_map: Annotated[
        Optional[list[str]],
        typer.Option(
            "--map-layer",
            help="When outputs differ, pair an OLD RNN scope with a NEW RNN layer to find the first that "
            "diverges: old_scope=new_layer (repeatable; default: in order).",
            rich_help_panel=_COMPARE,
            show_default=False,
        ),
    ] = None,
    inference_only: Annotated[
        bool,
        typer.Option(
            "--inference-only",
            help="Untied weights (one OLD variable held by several NEW weights) or extra NEW parameters "
            "are a warning, not a failure: for ports that untie on purpose and will not be trained.",
            rich_help_panel=_COMPARE,
        ),
    ] = False,
    atol: Annotated[
        Optional[float],
        typer.Option(
            help="Absolute tolerance (default by dtype: float32 1e-5, float16 1e-3, bfloat16 1e-2, float64 1e-9).",
            rich_help_panel=_COMPARE,
        ),
    ] = None,
    rtol: Annotated[
        Optional[float],
        typer.Option(
            help="Relative tolerance (default by dtype: float32 1e-6, float16 1e-3, bfloat16 1e-2, float64 1e-9).",
            rich_help_panel=_COMPARE,
        ),
    ] = None,
    json_path: Annotated[
        Optional[str], typer.Option("--json", help="Write the report as a JSON document.", rich_help_panel=_COMPARE)
    ] = None,
    outdir: Annotated[
        Optional[str],
        typer.Option(
            help="Save inputs and both sides' outputs as .npy files, and each output's difference per time "
            "step as steps/NAME.csv and, with matplotlib (rnnmigrate\\[plot]), steps/NAME.png.",
            rich_help_panel=_COMPARE,
        ),
    ] = None,
    imports: Annotated[
        Optional[list[str]],
        typer.Option(
            "--import",
            help="Import a module before loading: the one defining a Keras file's own classes (repeatable).",
            rich_help_panel=_SIDES,
            show_default=False,
        ),
    ] = None,
    unsafe: Annotated[
        bool,
        typer.Option(
            "--unsafe", help="Load .keras files with safe_mode off (a Lambda layer can run arbitrary code)."
        ),
    ] = False,
) -> None:
    """Run OLD and NEW on the same inputs, padding included, and compare every output.

    Exit 0 when every output agrees, 1 on a mismatch, 2 on an error.
    """
    from rnnmigrate.verify.models import ModelSource, parse_tensor_list
    from rnnmigrate.verify.pairing import parse_constants, parse_name_map
    from rnnmigrate.verify.pipeline import VerifyRequest
    from rnnmigrate.verify.samples import SampleSettings, parse_input_files

    modules = tuple(imports or [])
    try:
        for option, text in (
            ("--old-inputs", old_inputs),
            ("--old-outputs", old_outputs),
            ("--new-inputs", new_inputs),
            ("--new-outputs", new_outputs),
        ):
            if text:
                parse_tensor_list(text, option)
        request = VerifyRequest(
            old=ModelSource("OLD", old, old_tag_set, old_signature_def, old_inputs, old_outputs, unsafe, modules),
            new=ModelSource("NEW", new, new_tag_set, new_signature_def, new_inputs, new_outputs, unsafe, modules),
            name_map=parse_name_map(name_map or []),
            skip=frozenset(skip or []),
            constants=parse_constants(constants or []),
            input_files=parse_input_files(inputs or []),
            samples=SampleSettings(
                samples=samples,
                batch_size=batch_size,
                max_len=max_len,
                min_len=min_len,
                seed=seed,
                lengths_name=lengths,
                vocab_size=vocab_size,
            ),
            atol=atol,
            rtol=rtol,
            time_major=frozenset(time_major or []),
            inference_only=inference_only,
            layer_map=parse_name_map(layer_map or [], "--map-layer"),
        )
        exit_code = run_and_report(request, json_path, outdir)
    except VerifyError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    raise typer.Exit(exit_code)


def run_and_report(request: VerifyRequest, json_path: str | None = None, outdir: str | None = None) -> int:
    """Verify, write the arrays, per-step pictures and JSON if asked, print the table; returns the exit code."""
    from rnnmigrate.verify.pipeline import verify
    from rnnmigrate.verify.report import render, result_document, save_arrays, write_json
    from rnnmigrate.verify.steps import steps_document, write_step_files

    result = verify(request)
    document = result_document(result)
    if outdir:
        save_arrays(result, outdir)
        document["steps"] = steps_document(write_step_files(result, outdir))
    if json_path:
        write_json(document, json_path)
    render(document, _console())
    return EXIT_PASS if result.passed else EXIT_MISMATCH


def _console() -> Console:
    """Rich on a terminal; on a pipe plain text, wide enough that rows do not wrap."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=max(console.width, 200), no_color=True)
    return console
