"""The text lecture runs end to end in fast mode, saves its figures, and its claims hold in its own run."""
FIGURES = ["07_bits_vs_order.png", "07_bits_vs_mlp_steps.png", "07_overfitting.png",
           "07_line_log_prob.png"]


def test_lecture_07_runs_in_fast_mode_and_saves_figures(run_lecture, capsys):
    namespace = run_lecture("07_text.py", FIGURES, readme=[
        r"^\s*(\d-gram)\s+(?:add-k|kneser)", r"^\s*(CharMLP)\s+\d", r"^\s*(CharMLP \+) \d-gram\s+\d",
        r"(kneser-ney)", r"(add-k)", r"(bits per character)", r"(AUROC)", r"(validation)",
        r"(shuffled_characters|shuffled_words|random_characters|reversed)", r"(stories)", r"(symbols)"])
    out = capsys.readouterr().out
    assert "bits per character" in out and "AUROC" in out and "Once upon a time" in out
    # the mixture's weight maximises the validation likelihood, so it is no worse
    # there than either of its parts
    mixture = namespace["mixture"]
    validation = namespace["validation"]
    assert mixture.bits_per_char(validation) <= min(
        mixture.model_a.bits_per_char(validation), mixture.model_b.bits_per_char(validation)) + 1e-9
    assert all(text.startswith("Once upon a time") for text in namespace["samples"].values())
    assert namespace["aurocs"]["3-gram"]["random_characters"] > 0.95
