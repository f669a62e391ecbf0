"""The first run's pip step says how far it is instead of staying silent."""

import io

from devstack.progress import follow_pip


def test_pip_output_becomes_counted_progress_and_keeps_errors() -> None:
    pip = [
        "Collecting rasa==3.6.21\n",
        "  Downloading rasa-3.6.21-py3-none-any.whl (800 kB)\n",
        "Requirement already satisfied: numpy==1.23.5\n",
        "WARNING: something pip wants you to know\n",
        "Installing collected packages: numpy, rasa\n",
        "Successfully installed numpy-1.23.5 rasa-3.6.21\n",
    ]
    out = io.StringIO()
    follow_pip(pip, total=2, out=out)
    assert out.getvalue().splitlines() == [
        "    pip: 1/2 packages resolved",
        "    pip: 2/2 packages resolved",
        "WARNING: something pip wants you to know",
        "    pip: installing 2 packages (the longest part: a minute or more)...",
        "    pip: installed.",
    ]
