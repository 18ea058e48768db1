"""Generated sentences for the sentiment + tagging toy task (numpy only).

Vocabulary: 0 is padding, 1 is "not", 2-7 are positive words, 8-13 negative
words, 14-23 neutral words. A sentiment word right after "not" flips polarity.
Tags per token: 0 neutral, 1 positive in context, 2 negative in context.
A sentence is positive (label 1) when its positive tags outnumber its negative ones.
"""
import numpy as np

PAD, NOT = 0, 1
POSITIVE_WORDS = range(2, 8)
NEGATIVE_WORDS = range(8, 14)
NEUTRAL_WORDS = range(14, 24)


def tag_sentence(words):
    tags = []
    for i, word in enumerate(words):
        polarity = 1 if word in POSITIVE_WORDS else -1 if word in NEGATIVE_WORDS else 0
        if i > 0 and words[i - 1] == NOT:
            polarity = -polarity
        tags.append({0: 0, 1: 1, -1: 2}[polarity])
    return tags


def make_batch(rng, batch_size, max_len):
    """Return tokens [batch, max_len], lengths [batch], labels [batch], tags [batch, max_len]."""
    tokens = np.full((batch_size, max_len), PAD, dtype=np.int32)
    tags = np.zeros((batch_size, max_len), dtype=np.int32)
    lengths = rng.integers(2, max_len + 1, size=batch_size).astype(np.int32)
    labels = np.zeros(batch_size, dtype=np.int32)
    word_kinds = [[NOT], list(POSITIVE_WORDS), list(NEGATIVE_WORDS), list(NEUTRAL_WORDS)]
    for row, length in enumerate(lengths):
        kinds = rng.choice(4, size=length, p=[0.2, 0.25, 0.25, 0.3])
        words = [int(rng.choice(word_kinds[kind])) for kind in kinds]
        row_tags = tag_sentence(words)
        tokens[row, :length] = words
        tags[row, :length] = row_tags
        labels[row] = int(row_tags.count(1) > row_tags.count(2))
    return tokens, lengths, labels, tags
