//! Writes the fuzz targets' starting corpora (`scripts/fuzz.sh` runs it):
//! `fuzz-corpora <folder>` fills `<folder>/<target>/`.

fn main() {
    let Some(root) = std::env::args_os().nth(1) else {
        eprintln!("usage: fuzz-corpora <folder>");
        std::process::exit(2);
    };
    match zkinfer_integration::fuzz::write_corpora(std::path::Path::new(&root)) {
        Ok(count) => println!("fuzz-corpora: {count} seed files"),
        Err(e) => {
            eprintln!("fuzz-corpora: {e}");
            std::process::exit(1);
        }
    }
}
