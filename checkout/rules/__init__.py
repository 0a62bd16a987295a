"""The quoting rules as plain functions of plain values (no database): where an option
delivers, what it costs, when it ships and arrives, and in which currency."""
