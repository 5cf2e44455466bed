"""The standards knowledge base in chat: look-ups, cards, rubrics, references, unanswered questions."""
