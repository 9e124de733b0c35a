/** monaco-yaml's language worker (validation, completion and hover against the schema). */
import "monaco-yaml/yaml.worker";
