//! The layer order of `DESIGN.md` and `docs/architecture.md`, checked on the source: no module
//! imports one above it. Each file's layer is its top-level module; every `crate::…` path
//! outside comments and `#[cfg(test)]` code must name a module of the same layer or a lower
//! one.

use std::path::{Path, PathBuf};

/// The layers, lowest first. Modules of the same rank may use each other.
const LAYERS: &[(&str, usize)] = &[
    ("value", 0),
    ("types", 0),
    ("error", 0),
    ("row", 0),
    ("range", 0),
    ("utils", 0),
    ("sql", 1),
    ("dialect", 2),
    ("connection", 3),
    ("query_interface", 4),
    ("model", 5),
    ("migrate", 6),
];

fn rank(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, rank)| *rank)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a line names through `crate::name` or `crate::{a, b::c}`.
fn imported_modules(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names = match rest.strip_prefix('{') {
            Some(group) => group.split('}').next().unwrap_or_default(),
            None => rest,
        };
        for name in names.split(',') {
            let module: String = name
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !module.is_empty() {
                found.push(module);
            }
        }
    }
    found
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    let mut checked = 0;
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs");
        if module == "lib" {
            continue; // lib.rs wires the layers together
        }
        // A new top-level module has a layer, or the check would pass over it.
        let Some(own) = rank(module) else {
            violations.push(format!("{module} is in no layer: add it to LAYERS"));
            continue;
        };
        checked += 1;
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("#[cfg(test)]") {
                break;
            }
            if code.starts_with("//") {
                continue;
            }
            for imported in imported_modules(code) {
                if let Some(theirs) = rank(&imported) {
                    if theirs > own {
                        violations.push(format!(
                            "{}:{}: {module} (layer {own}) uses {imported} (layer {theirs})",
                            relative.display(),
                            number + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} files were checked");
    assert!(
        violations.is_empty(),
        "imports from a higher layer:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_import_reader_finds_grouped_paths() {
    assert_eq!(
        imported_modules("use crate::{error::Result, sql::Expr};"),
        ["error", "sql"]
    );
    assert_eq!(
        imported_modules("let x = crate::model::run(db);"),
        ["model"]
    );
}
