#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zkinfer_integration::fuzz::import_catboost(data));
