"""The weekly tip: a practical tip from the library, with its source, sent once a week to each subscriber."""
