"""Channel adapters: each turns one messaging platform into core events and back."""
