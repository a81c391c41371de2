//! The public models a service verifies against, loaded once from a folder at start.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::model::{Model, ModelId, Task};

/// A registered model, with its id computed once (hashing the canonical model costs more than
/// some proofs take to verify).
#[derive(Debug)]
pub struct Registered {
    /// The file stem it was loaded from, e.g. `credit` for `credit.json`.
    pub name: String,
    pub id: ModelId,
    pub model: Model,
}

/// What `GET /v1/models` says of a model.
#[derive(Clone, Debug, Serialize)]
pub struct ModelInfo {
    pub id: String,
    pub name: String,
    pub source: String,
    pub task: Task,
    pub features: Vec<String>,
    pub classes: Vec<String>,
    pub score_scale_log2: u32,
}

impl Registered {
    pub fn info(&self) -> ModelInfo {
        ModelInfo {
            id: self.id.to_string(),
            name: self.name.clone(),
            source: self.model.source.clone(),
            task: self.model.output.task,
            features: self.model.input.features.clone(),
            classes: self.model.output.classes.clone(),
            score_scale_log2: self.model.output.score_scale_log2,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot read the model folder {0}: {1}")]
    Folder(PathBuf, std::io::Error),
    #[error("cannot read {0}: {1}")]
    File(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Model(PathBuf, crate::error::ModelError),
    #[error("{0} and {1} hold the same model ({2})")]
    Duplicate(PathBuf, PathBuf, ModelId),
    #[error("no zkinfer model (*.json) in {0}")]
    Empty(PathBuf),
}

/// The models, by id.
#[derive(Debug, Default)]
pub struct Registry {
    models: BTreeMap<ModelId, Arc<Registered>>,
}

impl Registry {
    /// Loads every `*.json` zkinfer model in `folder` (not its subfolders); any file that is not
    /// a valid model stops the start, so that a typo cannot silently unregister a model.
    pub fn load_folder(folder: &Path) -> Result<Registry, RegistryError> {
        let entries =
            std::fs::read_dir(folder).map_err(|e| RegistryError::Folder(folder.into(), e))?;
        let mut paths = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| RegistryError::Folder(folder.into(), e))?
                .path();
            if path.is_file() && path.extension().is_some_and(|ext| ext == "json") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut registry = Registry::default();
        let mut origin: BTreeMap<ModelId, PathBuf> = BTreeMap::new();
        for path in paths {
            let bytes = std::fs::read(&path).map_err(|e| RegistryError::File(path.clone(), e))?;
            let model =
                Model::from_json(&bytes).map_err(|e| RegistryError::Model(path.clone(), e))?;
            let name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            let id = registry.insert(name, model);
            if let Some(first) = origin.insert(id, path.clone()) {
                return Err(RegistryError::Duplicate(first, path, id));
            }
        }
        if registry.models.is_empty() {
            return Err(RegistryError::Empty(folder.into()));
        }
        Ok(registry)
    }

    /// Registers `model` under `name`; returns its id.
    pub fn insert(&mut self, name: impl Into<String>, model: Model) -> ModelId {
        let id = model.id();
        let name = name.into();
        self.models
            .insert(id, Arc::new(Registered { name, id, model }));
        id
    }

    pub fn get(&self, id: &ModelId) -> Option<&Arc<Registered>> {
        self.models.get(id)
    }

    pub fn len(&self) -> usize {
        self.models.len()
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Registered>> {
        self.models.values()
    }
}
