//! tarn's benchmarks. The code lives in the bench targets, one per subject:
//!
//! * `benches/udf_bits28.rs`, `udf_legacy.rs`, `udf_legacy365.rs`, `udf_bytes.rs`: the
//!   usage-history bit kernels on 8,192-row batches (`cargo bench --bench udf_bits28`, …);
//! * `benches/hll_aggregate.rs`: HyperLogLog sketch aggregation and merging through SQL, next
//!   to DataFusion's `approx_distinct`;
//! * `benches/lake_listing.rs`: listing, footer reads and partition pruning on 2,000
//!   partitions;
//! * `benches/flight_encoding.rs`: Arrow Flight encoding and decoding of a result stream;
//! * `flight_throughput.py`: a large result streamed to an ADBC client over Flight SQL, next
//!   to the same query in process.
