namespace VerlOrleans.Evaluation.Imports;

/// <summary>Which of verl's per-sample outputs a file is.</summary>
public enum ImportKind
{
    /// <summary><c>trainer.validation_data_dir</c>'s <c>&lt;global_step&gt;.jsonl</c>: one line per sample, with verl's score.</summary>
    ValidationDump,

    /// <summary><c>main_generation(_server).py</c>'s output: the dataset parquet plus a <c>responses</c> list column, unscored.</summary>
    GenerationOutput,
}
