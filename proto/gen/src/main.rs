//! Regenerates `proto/src/generated/*.rs` from `proto/protos/**/*.proto` (needs `protoc`).
//! Run through `proto/regen.sh`, which CI follows with `git diff --exit-code`.
//!
//! Usage: `tarn-proto-gen PROTO_DIR` (the `proto` folder of the checkout). The folder is an
//! argument rather than compiled in: a shared target folder may hold a binary built from
//! another checkout.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let Some(proto) = std::env::args_os().nth(1).map(PathBuf::from) else {
        return Err(std::io::Error::other("usage: tarn-proto-gen PROTO_DIR"));
    };
    let protos = proto.join("protos");
    let files = [
        protos.join("tarn/v1/flight.proto"),
        protos.join("arrow/flight/protocol/session.proto"),
        protos.join("arrow/flight/protocol/sql/prepared.proto"),
    ];
    prost_build::Config::new()
        .out_dir(proto.join("src/generated"))
        .btree_map(["."])
        .compile_protos(&files, &[protos])
}
