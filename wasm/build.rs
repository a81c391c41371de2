//! Caps the WebAssembly module's memory at 1 GiB: browsers (iOS Safari first) kill tabs that
//! reserve more, and a capped module fails an allocation instead.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--max-memory={}", 1u64 << 30);
    }
}
