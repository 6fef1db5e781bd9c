"""The seeded synthetic world behind `content.generate`: its vocabulary, creators, captions and sampling helpers."""
