"""Language helpers shared by several stages (stop words, sentences)."""
