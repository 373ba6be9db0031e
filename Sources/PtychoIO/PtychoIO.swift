import CHDF5
import CPNG
import PtychoCore
