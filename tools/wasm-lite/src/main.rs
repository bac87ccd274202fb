//! `wasm-lite <full.wasm> <lite.wasm> <keep,...> <drop,...>`: derives the lean module of
//! `soft-sampling/lite` from the full wasm-pack output (scripts/build-wasm.sh). It deletes the
//! exports named in `drop` (the declared kernels outside the lite set), then garbage-collects what
//! only they reached (functions, data, element segments, types, imports). Every other export stays —
//! the `keep` kernels, memory, wasm-bindgen's runtime exports (`__wbindgen_start`, the allocator,
//! the externref table) and any export added later that is not a kernel — so the same generated glue
//! instantiates both modules: the lite module imports a subset of the full module's imports and
//! exports a subset of its exports.
//!
//! Exit status 1, with a message, when an input cannot be read or parsed, a listed name is not a
//! function export of the full module, or a name is in both lists.

use std::collections::BTreeSet;
use std::process::ExitCode;

fn names(list: &str) -> BTreeSet<&str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

fn run(src: &str, dst: &str, keep: &str, drop: &str) -> Result<(usize, usize), String> {
    let (keep, drop) = (names(keep), names(drop));
    if keep.is_empty() {
        return Err("the list of kernels to keep is empty".into());
    }
    let both: Vec<&str> = keep.intersection(&drop).copied().collect();
    if !both.is_empty() {
        return Err(format!("{} both kept and dropped", both.join(", ")));
    }
    let mut config = walrus::ModuleConfig::new();
    config.generate_name_section(false).generate_producers_section(false);
    let mut m = config.parse_file(src).map_err(|e| format!("cannot read {src} as wasm: {e}"))?;
    let funcs: BTreeSet<String> =
        m.exports.iter().filter(|e| matches!(e.item, walrus::ExportItem::Function(_))).map(|e| e.name.clone()).collect();
    let missing: Vec<&str> = keep.iter().chain(drop.iter()).copied().filter(|k| !funcs.contains(*k)).collect();
    if !missing.is_empty() {
        return Err(format!("{src} has no function export {}", missing.join(", ")));
    }
    let ids: Vec<walrus::ExportId> = m.exports.iter().filter(|e| drop.contains(e.name.as_str())).map(|e| e.id()).collect();
    let before = m.funcs.iter().count();
    for id in ids {
        m.exports.delete(id);
    }
    walrus::passes::gc::run(&mut m);
    let after = m.funcs.iter().count();
    m.emit_wasm_file(dst).map_err(|e| format!("cannot write {dst}: {e}"))?;
    Ok((before, after))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 4 {
        eprintln!("usage: wasm-lite <full.wasm> <lite.wasm> <keep,...> <drop,...>");
        return ExitCode::from(2);
    }
    match run(&args[0], &args[1], &args[2], &args[3]) {
        Ok((before, after)) => {
            eprintln!("wasm-lite: dropped the exports {} ({after} of {before} functions left)", args[3]);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wasm-lite: {e}");
            ExitCode::from(1)
        }
    }
}
