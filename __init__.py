from . import channels, controllers, models, wizards
