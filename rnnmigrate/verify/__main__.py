"""``python -m rnnmigrate.verify OLD NEW ...``: the command on its own, without the main CLI."""

import typer

from rnnmigrate.verify.command import verify_command


def main() -> None:
    app = typer.Typer(add_completion=False)
    app.command()(verify_command)
    app()


if __name__ == "__main__":
    main()
