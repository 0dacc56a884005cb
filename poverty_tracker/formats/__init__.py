"""Django's format modules for the project's language (FORMAT_MODULE_PATH): how dates are read and shown."""
