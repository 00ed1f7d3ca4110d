import warnings

# oslo.messaging imports oslo.service, whose eventlet backend warns on
# import; snapvol uses threads and never eventlet, so the warning only
# misleads operators.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
