//! Regenerates `proto/src/generated/*.rs` from `proto/protos/**/*.proto` (needs `protoc`).
//! Run through `proto/regen.sh`, which CI follows with `git diff --exit-code`.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let proto = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
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
