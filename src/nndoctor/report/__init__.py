"""Reports, all rendered from the same Finding objects and the same trace.

- ``terminal``: rich panels and the summary table (stderr, so the script's stdout stays its own).
- ``live``: the status line while ``nndoctor run`` trains.
- ``json_report``: the CONTRACT.md findings JSON.
- ``html``: one self-contained page, findings first, then the charts of ``plots``.
- ``tensorboard``: the trace's scalars and weight histograms as TensorBoard events (optional extra).
- ``source``: turns a live trace, a run record or its folder into what the reports read.
"""
