//! `wasm-lite <full.wasm> <lite.wasm> <kernel,kernel,...>`: derives the lean module of
//! `soft-sampling/lite` from the full wasm-pack output (scripts/build-wasm.sh). It deletes every
//! function export that is neither in the given kernel list nor wasm-bindgen's own (`__wbindgen_*`,
//! `__wbg_*`, `__externref_*`, `ss_*`), then garbage-collects what only the deleted exports reached
//! (functions, data, element segments, types, imports). Memory, tables, globals and the start
//! function are kept, so the same generated glue instantiates both modules: the lite module imports
//! a subset of the full module's imports and exports a subset of its exports.
//!
//! Exit status 1, with a message, when an input cannot be read or parsed or a listed kernel is not
//! exported by the full module.

use std::collections::BTreeSet;
use std::process::ExitCode;

fn is_runtime_export(name: &str) -> bool {
    name.starts_with("__") || name.starts_with("ss_")
}

fn run(src: &str, dst: &str, keep: &str) -> Result<(usize, usize, Vec<String>), String> {
    let keep: BTreeSet<&str> = keep.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if keep.is_empty() {
        return Err("the kernel list is empty".into());
    }
    let mut config = walrus::ModuleConfig::new();
    config.generate_name_section(false).generate_producers_section(false);
    let mut m = config.parse_file(src).map_err(|e| format!("cannot read {src} as wasm: {e}"))?;
    let exported: BTreeSet<String> = m.exports.iter().map(|e| e.name.clone()).collect();
    let missing: Vec<&str> = keep.iter().copied().filter(|k| !exported.contains(*k)).collect();
    if !missing.is_empty() {
        return Err(format!("{src} does not export the kernels {}", missing.join(", ")));
    }
    let drop: Vec<(walrus::ExportId, String)> = m
        .exports
        .iter()
        .filter(|e| matches!(e.item, walrus::ExportItem::Function(_)))
        .filter(|e| !keep.contains(e.name.as_str()) && !is_runtime_export(&e.name))
        .map(|e| (e.id(), e.name.clone()))
        .collect();
    let before = m.funcs.iter().count();
    let mut dropped = Vec::new();
    for (id, name) in drop {
        m.exports.delete(id);
        dropped.push(name);
    }
    walrus::passes::gc::run(&mut m);
    let after = m.funcs.iter().count();
    m.emit_wasm_file(dst).map_err(|e| format!("cannot write {dst}: {e}"))?;
    Ok((before, after, dropped))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 3 {
        eprintln!("usage: wasm-lite <full.wasm> <lite.wasm> <kernel,kernel,...>");
        return ExitCode::from(2);
    }
    match run(&args[0], &args[1], &args[2]) {
        Ok((before, after, dropped)) => {
            eprintln!("wasm-lite: dropped the exports {} ({} of {} functions left)", dropped.join(", "), after, before);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wasm-lite: {e}");
            ExitCode::from(1)
        }
    }
}
