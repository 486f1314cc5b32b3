//! Tests that need the shared corpus or a browser are ignored, visibly and with the way to run
//! them, unless the variable naming it was set when they were built.

fn main() {
    for (variable, cfg) in [
        ("LOGSENTRY_CORPUS", "logsentry_corpus"),
        ("LOGSENTRY_BROWSER", "logsentry_browser"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={variable}");
        if std::env::var_os(variable).is_some() {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
