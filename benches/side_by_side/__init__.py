"""Side-by-side benchmark of tarn against DuckDB and datafusion-python (``benches/run.sh``)."""
