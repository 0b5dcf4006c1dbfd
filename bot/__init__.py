"""The assistant: answers, the terminal and Telegram, weekly tips."""
