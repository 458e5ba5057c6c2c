//! The DTLTO job file: the JSON a linker hands its distributor, in LLVM 22's
//! schema (llvm/docs/DTLTO.rst). lld writes it for `clang -c
//! -fthinlto-index=` jobs; dtlto writes it for `dtlto backend` jobs. Either
//! kind of distributor can run either kind of file, because the schema says
//! nothing about the compiler: a job's command is `common.args` followed by
//! the job's `args`.
//!
//! Reserved positions, as in LLVM: `common.args[0]` is the program to run;
//! a job's `inputs[0]` is the module's bitcode and `inputs[1]` its index
//! (for dtlto, its backend plan); `outputs[0]` is the native object.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFile {
    pub common: Common,
    pub jobs: Vec<Job>,
}

/// What every job shares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Common {
    /// The link's output; every job output belongs in its directory.
    pub linker_output: String,
    /// The program and the arguments every job starts with.
    pub args: Vec<String>,
    /// Files every job reads (profiles, ...).
    pub inputs: Vec<String>,
}

/// One backend compilation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub args: Vec<String>,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum JobFileError {
    #[error("{file}: not a DTLTO job file: {source}")]
    Json {
        file: String,
        source: serde_json::Error,
    },
    #[error("{file}: common.args is empty: there is no program to run")]
    NoProgram { file: String },
    #[error("{file}: common.linker_output is empty")]
    NoLinkerOutput { file: String },
    #[error("{file}: job {job} has no outputs (outputs[0] must be its object)")]
    NoOutput { file: String, job: usize },
    #[error("{file}: job {job} has no input module (inputs[0] must be its bitcode)")]
    NoInput { file: String, job: usize },
    #[error("{file}: jobs {first} and {second} both write {path}")]
    SharedOutput {
        file: String,
        first: usize,
        second: usize,
        path: String,
    },
}

impl JobFile {
    /// Parses and checks the structure LLVM's schema promises. Fields the
    /// schema does not name are ignored, so a later LLVM's additions do not
    /// stop an older distributor.
    pub fn parse(file: &str, text: &str) -> Result<JobFile, JobFileError> {
        let jobs: JobFile = serde_json::from_str(text).map_err(|source| JobFileError::Json {
            file: file.to_string(),
            source,
        })?;
        jobs.check(file)?;
        Ok(jobs)
    }

    fn check(&self, file: &str) -> Result<(), JobFileError> {
        let file = || file.to_string();
        if self.common.args.first().is_none_or(|p| p.is_empty()) {
            return Err(JobFileError::NoProgram { file: file() });
        }
        if self.common.linker_output.is_empty() {
            return Err(JobFileError::NoLinkerOutput { file: file() });
        }
        let mut writers = std::collections::HashMap::new();
        for (n, job) in self.jobs.iter().enumerate() {
            if job.outputs.is_empty() {
                return Err(JobFileError::NoOutput {
                    file: file(),
                    job: n,
                });
            }
            if job.inputs.is_empty() {
                return Err(JobFileError::NoInput {
                    file: file(),
                    job: n,
                });
            }
            for out in &job.outputs {
                if let Some(first) = writers.insert(out.as_str(), n) {
                    return Err(JobFileError::SharedOutput {
                        file: file(),
                        first,
                        second: n,
                        path: out.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The command line of job `n`: the shared arguments, then the job's.
    pub fn command(&self, n: usize) -> Vec<&str> {
        self.common
            .args
            .iter()
            .chain(&self.jobs[n].args)
            .map(String::as_str)
            .collect()
    }

    /// One-line JSON with fields in schema order, as lld writes it.
    pub fn to_json(&self) -> String {
        // Serializing plain strings and vectors cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LLD_STYLE: &str = r#"{
        "common": {"linker_output": "out/dtlto.elf",
                   "args": ["/usr/bin/clang", "-O2", "-c"], "inputs": ["my.prof"]},
        "jobs": [
          {"args": ["t1.o", "-fthinlto-index=t1.o.thinlto.bc", "-o", "t1.native.o"],
           "inputs": ["t1.o", "t1.o.thinlto.bc"], "outputs": ["t1.native.o"]},
          {"args": ["t2.o", "-fthinlto-index=t2.o.thinlto.bc", "-o", "t2.native.o"],
           "inputs": ["t2.o", "t2.o.thinlto.bc"], "outputs": ["t2.native.o"],
           "future_field": 1}
        ]}"#;

    #[test]
    fn lld_job_files_parse_and_commands_concatenate() {
        let f = JobFile::parse("x.json", LLD_STYLE).unwrap();
        assert_eq!(f.jobs.len(), 2);
        assert_eq!(
            f.command(1),
            [
                "/usr/bin/clang",
                "-O2",
                "-c",
                "t2.o",
                "-fthinlto-index=t2.o.thinlto.bc",
                "-o",
                "t2.native.o"
            ]
        );
        let again = JobFile::parse("y.json", &f.to_json()).unwrap();
        assert_eq!(again, f);
    }

    #[test]
    fn broken_job_files_are_refused_with_the_reason() {
        let cases = [
            ("{", "not a DTLTO job file"),
            (
                r#"{"common": {"linker_output": "a", "args": [], "inputs": []}, "jobs": []}"#,
                "no program",
            ),
            (
                r#"{"common": {"linker_output": "", "args": ["x"], "inputs": []}, "jobs": []}"#,
                "linker_output is empty",
            ),
            (
                r#"{"common": {"linker_output": "a", "args": ["x"], "inputs": []},
                 "jobs": [{"args": [], "inputs": ["m"], "outputs": []}]}"#,
                "job 0 has no outputs",
            ),
            (
                r#"{"common": {"linker_output": "a", "args": ["x"], "inputs": []},
                 "jobs": [{"args": [], "inputs": ["m"], "outputs": ["o"]},
                          {"args": [], "inputs": ["n"], "outputs": ["o"]}]}"#,
                "jobs 0 and 1 both write o",
            ),
            (
                r#"{"common": {"linker_output": "a", "args": ["x"]}, "jobs": []}"#,
                "missing field `inputs`",
            ),
        ];
        for (text, message) in cases {
            let e = JobFile::parse("j.json", text).unwrap_err().to_string();
            assert!(e.contains(message), "{e:?} should say {message:?}");
            assert!(e.starts_with("j.json: "), "{e:?} names the file");
        }
    }
}
